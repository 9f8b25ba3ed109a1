"""Runs workflows: compiles a spec into a LangGraph graph and executes it step by step."""
