/**
 * The pmtud SPI: everything a plugin author needs, and nothing else (JDK only).
 *
 * <p>A pipeline is one or more {@link dev.pmtud.api.Source}s feeding {@link dev.pmtud.api.Packet}s
 * through an ordered chain of {@link dev.pmtud.api.Filter}s into every {@link dev.pmtud.api.Sink}.
 * Each kind is created by a factory found with {@link java.util.ServiceLoader}; built-in components
 * are registered exactly like third-party ones, in {@code META-INF/services}.
 *
 * <p>Threading: each source runs on its own thread and processes a packet to completion (decode,
 * filters, sinks) before reading the next. The runtime never calls one filter or sink instance from
 * two threads at once, so plugins need no locking of their own for per-packet state. A source's
 * thread also closes it, after {@code run} returned; other threads only wake it
 * ({@link dev.pmtud.api.Source#wakeup()}), so a source needs no locking for its lifecycle either.
 *
 * <p>Lifetime of a {@link dev.pmtud.api.Packet}: it is a view over the source's receive buffer and is
 * valid only during the call that received it. Copy it ({@link dev.pmtud.api.Packet#copy()}) to keep it.
 */
package dev.pmtud.api;
