"""The intelligence behind small interfaces: transcriber, embedder, answerer, model weights."""
