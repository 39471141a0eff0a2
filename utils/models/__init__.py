"""Model builders, one module per generation: its blocks first, then its builders.

Import the module you need, e.g. ``from utils.models import lenet``; modules are added chapter by
chapter and this file stays empty so that parallel work never collides on it.
"""
