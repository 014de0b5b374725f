"""planwatch.services"""
