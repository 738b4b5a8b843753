package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.time.Scheduler;
import java.time.Clock;
import java.util.concurrent.Executor;

/** What every consumer and requester of one {@link Messaging} shares. */
record Engine(
    Transport transport,
    Payloads payloads,
    HeaderLimits headerLimits,
    Scheduler scheduler,
    Clock clock,
    Executor executor,
    MessagingListener listener,
    String source) {}
