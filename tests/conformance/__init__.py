"""Tests of kustom_conformance: each rule of a request, of an answer and across exchanges."""
