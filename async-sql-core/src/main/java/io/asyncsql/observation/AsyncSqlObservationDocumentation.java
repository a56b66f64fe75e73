package io.asyncsql.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of an {@link io.asyncsql.AsyncEngine}: each operation, and the two
 * phases of its life as its children, so that a trace shows the time spent waiting for a
 * permit apart from the time on the database.
 *
 * @since 0.1.0
 * @see DefaultAsyncSqlObservationConvention
 */
public enum AsyncSqlObservationDocumentation implements ObservationDocumentation {

	/**
	 * One operation, from submission until its future completes (a stream: until it ends;
	 * a connection: until it is closed; a transaction: until it has committed or rolled
	 * back). Its parent is the caller's observation at submission.
	 */
	OPERATION {

		@Override
		public String getName() {
			return "asyncsql.operation";
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

	},

	/**
	 * The time an operation waited for a permit (for work on a connection: for its turn
	 * on the connection), as a child of {@link #OPERATION}.
	 */
	WAIT {

		@Override
		public String getName() {
			return "asyncsql.operation.wait";
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { LowCardinalityKeyNames.ENGINE, LowCardinalityKeyNames.KIND };
		}

	},

	/**
	 * The time an operation held its permit, as a child of {@link #OPERATION}. Its scope
	 * is open on the engine thread while JDBC runs, so observations made there (a JDBC
	 * instrumentation, log lines carrying the trace) are its children. For a connection,
	 * transaction or stream it lasts until the operation ends, and the operations run on
	 * the connection are its children.
	 */
	EXECUTION {

		@Override
		public String getName() {
			return "asyncsql.operation.execution";
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { LowCardinalityKeyNames.ENGINE, LowCardinalityKeyNames.KIND };
		}

	};

	@Override
	public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
		return DefaultAsyncSqlObservationConvention.class;
	}

	/**
	 * Keys with a bounded set of values, on metrics and spans.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/**
		 * Name of the engine ({@code AsyncEngineBuilder.name}).
		 */
		ENGINE {

			@Override
			public String asString() {
				return "asyncsql.engine";
			}

		},

		/**
		 * Kind of operation, an {@link OperationKind#value()}.
		 */
		KIND {

			@Override
			public String asString() {
				return "asyncsql.kind";
			}

		},

		/**
		 * How the operation ended, an {@link OperationOutcome#value()}.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "asyncsql.outcome";
			}

		}

	}

	/**
	 * Keys with unbounded values, on spans only.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/**
		 * SQL text of the operation, as written by the caller: never parameter values.
		 * Absent for callbacks, connections and transactions, which have no SQL of their
		 * own.
		 */
		SQL {

			@Override
			public String asString() {
				return "asyncsql.sql";
			}

			@Override
			public boolean isRequired() {
				return false;
			}

		},

		/**
		 * Number of updates in the JDBC batch of coalesced updates the operation ran in
		 * (see {@code AsyncEngineBuilder.batching}); absent when it ran alone.
		 */
		BATCH_SIZE {

			@Override
			public String asString() {
				return "asyncsql.batch.size";
			}

			@Override
			public boolean isRequired() {
				return false;
			}

		}

	}

}
