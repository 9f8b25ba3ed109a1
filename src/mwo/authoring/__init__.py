"""Authoring: a job described in Korean or English becomes a valid, explained, saved workflow.

The model never writes what rules can decide: the schedule grammar (`schedule`) turns time phrases
into cron + zone, the lexicon (`lexicon`) narrows trigger and step types, the worked-example bank
(`examples`) gives skeletons, and the planner asks the model only small constrained questions.
"""
