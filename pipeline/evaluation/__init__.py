"""Evaluation of the NLP components on labelled TSV files (`text\tlabel\tlang`)."""
