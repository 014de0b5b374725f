"""planwatch.analysis"""
