package io.asyncsql.autoconfigure.metrics;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.asyncsql.AsyncEngine;
import io.asyncsql.ReadReplica;
import io.asyncsql.metrics.AsyncEngineMetrics;
import io.asyncsql.metrics.ReadReplicaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds {@link AsyncEngineMetrics} of every {@link AsyncEngine} bean and of every
 * {@link ReadReplica}'s engine, each tagged with its engine's name, and the replicas'
 * {@link ReadReplicaMetrics}. Engines built with one of its {@link #listener() listeners}
 * get timers too.
 * <p>
 * Engines are looked up only when bound, after all singletons exist, so that no engine
 * forces the meter registry into being early.
 */
final class AsyncSqlMeterBinder implements MeterBinder {

	private final ObjectProvider<AsyncEngine> engines;

	private final ObjectProvider<ReadReplica> replicas;

	private final List<AsyncEngineMetrics> listeners = new CopyOnWriteArrayList<>();

	AsyncSqlMeterBinder(ObjectProvider<AsyncEngine> engines, ObjectProvider<ReadReplica> replicas) {
		this.engines = engines;
		this.replicas = replicas;
	}

	/**
	 * Return new metrics to give an engine's builder as its listener, bound with the
	 * engine.
	 */
	AsyncEngineMetrics listener() {
		AsyncEngineMetrics metrics = new AsyncEngineMetrics();
		this.listeners.add(metrics);
		return metrics;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Set<AsyncEngine> bound = Collections.newSetFromMap(new IdentityHashMap<>());
		this.engines.orderedStream().forEach((engine) -> bind(engine, registry, bound));
		this.replicas.orderedStream().forEach((replica) -> {
			bind(replica.getEngine(), registry, bound);
			new ReadReplicaMetrics(replica, Tags.empty()).bindTo(registry);
		});
	}

	private void bind(AsyncEngine engine, MeterRegistry registry, Set<AsyncEngine> bound) {
		if (bound.add(engine)) {
			metricsOf(engine).bindTo(registry);
		}
	}

	private AsyncEngineMetrics metricsOf(AsyncEngine engine) {
		for (AsyncEngineMetrics listener : this.listeners) {
			if (listener.getEngine() == engine) {
				return listener;
			}
		}
		return new AsyncEngineMetrics(engine, Tags.empty());
	}

}
