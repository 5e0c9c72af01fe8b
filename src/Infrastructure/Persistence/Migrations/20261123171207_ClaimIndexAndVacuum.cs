using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ClaimIndexAndVacuum : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "messages")
                .Annotation("Npgsql:StorageParameter:autovacuum_analyze_scale_factor", 0.02)
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01);

            migrationBuilder.CreateIndex(
                name: "ix_messages_queued_due_at",
                table: "messages",
                column: "due_at",
                filter: "status = 'Queued'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messages_queued_due_at",
                table: "messages");

            migrationBuilder.AlterTable(
                name: "messages")
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_analyze_scale_factor", 0.02)
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01);
        }
    }
}
