package io.asyncsql;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;

/**
 * Creates the {@link OperationObservation} of each operation of an engine. This base
 * creates ones that do nothing; {@link ObservedOperations}, used when the engine has an
 * ObservationRegistry, creates Micrometer observations.
 */
class Observations {

	static final Observations NONE = new Observations();

	static Observations of(AsyncEngineBuilder builder) {
		return (builder.observationRegistry != null) ? ObservedOperations.create(builder) : NONE;
	}

	/**
	 * Start observing an operation, on the caller's thread.
	 * @param kind the kind of operation
	 * @param sql its SQL text, or {@code null}
	 * @param parent the observation of the connection it runs on, or
	 * {@link OperationObservation#NONE} for the caller's current observation
	 */
	OperationObservation open(OperationKind kind, @Nullable String sql, OperationObservation parent) {
		return OperationObservation.NONE;
	}

	/**
	 * Start observing work submitted to the engine.
	 */
	final OperationObservation forWork(ConnectionCallback<?> work) {
		return (work instanceof SqlWork<?> described)
				? open(described.kind(), described.sql(), OperationObservation.NONE)
				: open(OperationKind.STATEMENT, null, OperationObservation.NONE);
	}

	/**
	 * Start observing work on a connection: a caller's statement is an operation of its
	 * own, a child of the connection's; the connection's own steps are part of it.
	 */
	final OperationObservation forLaneWork(ConnectionCallback<?> work, OperationObservation connection) {
		return (work instanceof SqlWork<?> described) ? open(described.kind(), described.sql(), connection)
				: connection.steps();
	}

}
