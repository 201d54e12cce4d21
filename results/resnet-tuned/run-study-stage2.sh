#!/bin/bash
# Stage 2 and the new finals ran as the second part of ../moby-lstm-tuned/run-study.sh (one script
# ran the LSTM study and then this; see the fmnist-resnet block there).
