"""
tenantgate for Django: an authentication backend whose `has_perm(user, perm, obj)` asks
tenantgate about the session's active account, a middleware that puts the active tenant on the
request, views to sign in, sign out and switch tenant, and a template tag. See ../README.md.
"""
