"""Video processing as plain functions: media, chunking, the processor state machine, jobs."""
