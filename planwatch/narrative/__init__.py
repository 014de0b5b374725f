"""planwatch.narrative"""
