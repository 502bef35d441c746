"""`localities`: the command line on top of every layer."""
