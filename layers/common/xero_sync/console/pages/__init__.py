"""One module per area of the console; each registers its routes on its own router."""
