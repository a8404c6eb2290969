<?php
namespace Acme\Billing\Tests\Invoice;

use Acme\Billing\Invoice\InvoiceGenerator;
use PHPUnit\Framework\TestCase;

class InvoiceGeneratorTest extends TestCase
{
    public function testVatForGermany(): void
    {
        $gen = new InvoiceGenerator($this->createMock(\PDO::class), []);
        $this->assertSame(1900, $gen->vat(10000, 'DE'));
    }

    public function testReverseChargeOutsideGermany(): void
    {
        $gen = new InvoiceGenerator($this->createMock(\PDO::class), []);
        $this->assertSame(0, $gen->vat(10000, 'AT'));
    }
}
