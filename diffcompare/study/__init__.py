"""Many steps or many points through the same engines: the step study and the sweep."""
