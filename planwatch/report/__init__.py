"""planwatch.report"""
