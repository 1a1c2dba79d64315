"""Caching that is not about posts: the content token every cached piece of a public page is
keyed by (content.py), whole pages for anonymous readers at the origin and their marking for
nginx (pages.py), and the Redis client Django's cache uses (redis_client.py).

It imports nothing of the apps: what changes pages without a write (a scheduled post's time,
next week's sponsors) is registered by them (content.register_next_change).
"""
