package io.asyncsql;

/**
 * {@link CancelIsolationTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbCancelIsolationTests extends CancelIsolationTests {

	MariaDbCancelIsolationTests() {
		super(TestDatabase.MARIADB);
	}

}
