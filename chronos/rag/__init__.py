"""Retrieval, context building and the chat service."""
