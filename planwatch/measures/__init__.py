"""planwatch.measures"""
