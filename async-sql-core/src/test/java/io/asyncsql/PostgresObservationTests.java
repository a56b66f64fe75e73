package io.asyncsql;

/**
 * {@link ObservationOnServerTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresObservationTests extends ObservationOnServerTests {

	PostgresObservationTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
