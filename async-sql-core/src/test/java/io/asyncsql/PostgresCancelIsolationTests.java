package io.asyncsql;

/**
 * {@link CancelIsolationTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresCancelIsolationTests extends CancelIsolationTests {

	PostgresCancelIsolationTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
