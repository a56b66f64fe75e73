package io.asyncsql;

/**
 * {@link StatementCancellationTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbStatementCancellationTests extends StatementCancellationTests {

	MariaDbStatementCancellationTests() {
		super(TestDatabase.MARIADB);
	}

}
