package io.asyncsql;

import io.asyncsql.observation.AsyncSqlObservationConvention;
import io.asyncsql.observation.OperationKind;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * {@link Observations} through Micrometer's {@link ObservationRegistry}. Loaded only for
 * an engine built with a registry, so that core runs without Micrometer.
 */
final class ObservedOperations extends Observations {

	final String engineName;

	final ObservationRegistry registry;

	final @Nullable AsyncSqlObservationConvention convention;

	private ObservedOperations(String engineName, ObservationRegistry registry,
			@Nullable AsyncSqlObservationConvention convention) {
		this.engineName = engineName;
		this.registry = registry;
		this.convention = convention;
	}

	static Observations create(AsyncEngineBuilder builder) {
		ObservationRegistry registry = builder.observationRegistry;
		if (registry == null || registry.isNoop()) {
			return NONE;
		}
		return new ObservedOperations(builder.name, registry, builder.observationConvention);
	}

	@Override
	OperationObservation open(OperationKind kind, @Nullable String sql, OperationObservation parent) {
		Observation parentObservation = (parent instanceof ObservedOperation observed) ? observed.parentOfChildren()
				: null;
		return new ObservedOperation(this, kind, sql, parentObservation);
	}

}
