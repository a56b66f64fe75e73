package io.asyncsql.observation;

import io.asyncsql.observation.AsyncSqlObservationDocumentation.HighCardinalityKeyNames;
import io.asyncsql.observation.AsyncSqlObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The default {@link AsyncSqlObservationConvention} of
 * {@link AsyncSqlObservationDocumentation#OPERATION}: low-cardinality keys for the
 * engine, the kind and the outcome; the SQL text and, for a coalesced update, the size of
 * its batch as high-cardinality keys. Parameter values are never part of an observation.
 *
 * @since 0.1.0
 */
public class DefaultAsyncSqlObservationConvention implements AsyncSqlObservationConvention {

	@Override
	public String getName() {
		return AsyncSqlObservationDocumentation.OPERATION.getName();
	}

	/**
	 * Return the span name: {@code asyncsql statement}, {@code asyncsql batch},
	 * {@code asyncsql stream}, {@code asyncsql connection} or
	 * {@code asyncsql transaction}.
	 */
	@Override
	public String getContextualName(AsyncSqlObservationContext context) {
		return "asyncsql " + context.getKind().value();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(AsyncSqlObservationContext context) {
		KeyValues values = KeyValues.of(LowCardinalityKeyNames.ENGINE.withValue(context.getEngineName()),
				LowCardinalityKeyNames.KIND.withValue(context.getKind().value()));
		if (context.getObservation() == AsyncSqlObservationDocumentation.OPERATION) {
			values = values.and(LowCardinalityKeyNames.OUTCOME.withValue(context.getOutcome().value()));
		}
		return values;
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(AsyncSqlObservationContext context) {
		String sql = context.getSql();
		if (sql == null || context.getObservation() != AsyncSqlObservationDocumentation.OPERATION) {
			return KeyValues.empty();
		}
		KeyValues values = KeyValues.of(HighCardinalityKeyNames.SQL.withValue(sql));
		int batchSize = context.getBatchSize();
		return (batchSize > 0) ? values.and(HighCardinalityKeyNames.BATCH_SIZE.withValue(Integer.toString(batchSize)))
				: values;
	}

}
