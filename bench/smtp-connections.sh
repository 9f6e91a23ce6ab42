#!/bin/sh
# Notifier: new SMTP session + connection + login per message (the course notifier) versus one
# session with a reused connection (mp3conv), against GreenMail on 127.0.0.1.
#
#   bench/smtp-connections.sh [messagesPerRound=200] [rounds=5]
exec "$(dirname -- "$0")/run-java.sh" dev.mp3conv.bench.SmtpConnectionBench "$@"
