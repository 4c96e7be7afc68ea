"""Simulators that speak the real wire formats of the trackers (Jira, Linear).

They serve ``tracker demo``, the connector tests, cassette recording and the benchmarks,
on loopback only. Each tracker has its own subpackage.
"""
