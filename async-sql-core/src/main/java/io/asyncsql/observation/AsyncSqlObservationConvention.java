package io.asyncsql.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * {@link ObservationConvention} of async-sql operations
 * ({@link AsyncSqlObservationDocumentation#OPERATION}); their two phases, children of the
 * operation, keep their documented names and keys. Give one to
 * {@code AsyncEngineBuilder.observationConvention}, or define one as a bean, to change
 * names or keys; extending {@link DefaultAsyncSqlObservationConvention} keeps the rest.
 *
 * @since 0.1.0
 */
public interface AsyncSqlObservationConvention extends ObservationConvention<AsyncSqlObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof AsyncSqlObservationContext asyncSql
				&& asyncSql.getObservation() == AsyncSqlObservationDocumentation.OPERATION;
	}

}
