"""The engines: each turns a tree and a point into derivatives, its own way."""
