"""What each source's data means: DeepStateMap and ISW formats, layer names and sides (pure
functions; downloading is in :mod:`loc.io.fetch`)."""
