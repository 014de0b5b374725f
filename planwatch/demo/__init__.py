"""planwatch.demo"""
