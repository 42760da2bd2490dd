"""Softmax Lab's core library: load, profile, train, evaluate, explain and export, without a server."""

__version__ = "0.1.0"
