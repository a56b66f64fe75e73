package io.asyncsql;

/**
 * {@link DatabaseContractTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbDatabaseContractTests extends DatabaseContractTests {

	MariaDbDatabaseContractTests() {
		super(TestDatabase.MARIADB);
	}

}
