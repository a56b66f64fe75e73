package io.asyncsql;

/**
 * {@link ConnectionLossTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresConnectionLossTests extends ConnectionLossTests {

	PostgresConnectionLossTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
