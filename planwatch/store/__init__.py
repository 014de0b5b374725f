"""planwatch.store"""
