"""The shipped models, installed as package data of ``classifier.models``."""
