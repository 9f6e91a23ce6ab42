#!/bin/sh
# Publish-with-confirm and consume rates of 10k job messages through RabbitJobQueue beside a bare
# amqp-client loop, in the same run, against the RabbitMQ on 127.0.0.1:5672 (guest/guest).
#
#   bench/queue.sh [messages=10000] [publishers=8] [prefetch=100] [rounds=3]
set -eu
exec "$(dirname -- "$0")/run-java.sh" dev.mp3conv.bench.QueueBench "$@"
