"""Reading and writing: one validation step for every input format, atomic writers, the
snapshot store, the fast incremental ring reader, hashing, and the network (``fetch``)."""
