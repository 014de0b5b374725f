"""planwatch.web"""
