"""Nudges: a flagged AC change turned into the question it should have started.

``model`` holds the values, ``compose`` the words (pure), ``deliver`` selects what is due,
claims it in the store and hands it to the channels, which live in ``connectors.notify``.
"""
