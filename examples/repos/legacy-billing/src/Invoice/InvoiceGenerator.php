<?php
namespace Acme\Billing\Invoice;

use Acme\Billing\Support\Log;
use Dompdf\Dompdf;
use PHPMailer\PHPMailer\PHPMailer;

class InvoiceGenerator
{
    private $db;
    private $config;

    public function __construct(\PDO $db, array $config)
    {
        $this->db = $db;
        $this->config = $config;
    }

    public function generateForMonth(string $month, bool $send = true): int
    {
        $orders = $this->db->prepare(
            "SELECT customer_id, SUM(amount_cents) AS total FROM orders
             WHERE DATE_FORMAT(created_at, '%Y-%m') = ? AND billable = 1 GROUP BY customer_id"
        );
        $orders->execute([$month]);
        $n = 0;
        foreach ($orders->fetchAll() as $row) {
            try {
                $pdf = $this->render($row['customer_id'], $month, (int) $row['total']);
                file_put_contents($this->config['invoice_dir'] . "/$month-{$row['customer_id']}.pdf", $pdf);
                if ($send) {
                    $this->mail($row['customer_id'], $pdf);
                }
                $n++;
            } catch (\Exception $e) {
                Log::error("invoice for customer {$row['customer_id']} failed: " . $e->getMessage());
            }
        }
        return $n;
    }

    public function vat(int $netCents, string $country = 'DE'): int
    {
        $rate = $country === 'DE' ? 19 : 0;  // reverse charge outside DE
        return (int) round($netCents * $rate / 100);
    }

    private function render(int $customerId, string $month, int $totalCents): string
    {
        $html = sprintf('<h1>Rechnung %s</h1><p>Kunde %d</p><p>Summe: %.2f EUR</p>', $month, $customerId, $totalCents / 100);
        $dompdf = new Dompdf();
        $dompdf->loadHtml($html);
        $dompdf->render();
        return $dompdf->output();
    }

    private function mail(int $customerId, string $pdf): void
    {
        $mail = new PHPMailer(true);
        $mail->isSMTP();
        $mail->Host = $this->config['smtp_host'];
        $mail->setFrom('billing@acme.example', 'ACME Billing');
        $mail->addAddress($this->lookupEmail($customerId));
        $mail->Subject = 'Ihre Rechnung';
        $mail->addStringAttachment($pdf, 'rechnung.pdf');
        $mail->send();
    }

    private function lookupEmail(int $customerId): string
    {
        $stmt = $this->db->prepare('SELECT invoice_email FROM customers WHERE id = ?');
        $stmt->execute([$customerId]);
        return (string) $stmt->fetchColumn();
    }
}
