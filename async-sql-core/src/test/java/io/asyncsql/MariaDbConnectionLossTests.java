package io.asyncsql;

/**
 * {@link ConnectionLossTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbConnectionLossTests extends ConnectionLossTests {

	MariaDbConnectionLossTests() {
		super(TestDatabase.MARIADB);
	}

}
