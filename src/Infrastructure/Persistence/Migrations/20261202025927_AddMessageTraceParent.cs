using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AddMessageTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "messages",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "messages");
        }
    }
}
