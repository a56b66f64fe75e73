package io.asyncsql;

/**
 * {@link BankTransferTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresBankTransferTests extends BankTransferTests {

	PostgresBankTransferTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
