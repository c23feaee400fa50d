"""The local org's SOQL engine, hand-written: tokens, parse tree, evaluation, output."""
