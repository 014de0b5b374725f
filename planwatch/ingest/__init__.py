"""planwatch.ingest"""
