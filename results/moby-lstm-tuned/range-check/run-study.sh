#!/bin/bash
# The range check ran as the first part of ../../vit-medium-bf16/run-study.sh (one script ran both;
# see the "LSTM range check" block there).
